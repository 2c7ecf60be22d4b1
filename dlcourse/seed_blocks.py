"""The seed articles' code blocks, verbatim, keyed by article and section.

Each text is exactly as the article prints it (Chinese comments included), kept once here so that
every chapter that runs a block runs the same text: appendix A1 runs all of them, chapters 06 and
07 the one of their section. ``dlcourse.seedcode.block`` and ``show`` read them.
"""

BLOCKS = {
    "000 §4.1": """\
import tensorflow as tf

# 定义模型参数
input_size = 10
hidden_size = 5
output_size = 1

# 定义模型
def forward(x):
    W = tf.Variable(tf.random.normal([input_size, hidden_size]))
    b = tf.Variable(tf.zeros([hidden_size]))
    h = tf.matmul(x, W) + b
    W2 = tf.Variable(tf.random.normal([hidden_size, output_size]))
    b2 = tf.Variable(tf.zeros([output_size]))
    y = tf.matmul(h, W2) + b2
    return y

# 训练模型
x = tf.random.normal([100, input_size])
y = forward(x)
loss = tf.reduce_mean(tf.square(y - tf.random.normal([100, output_size])))
model = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 训练过程
for i in range(1000):
    with tf.GradientTape() as tape:
        loss_value = loss
    gradients = tape.gradient(loss_value, [W, b, W2, b2])
    model.apply_gradients(zip(gradients, [W, b, W2, b2]))
""",
    "000 §4.2": """\
import tensorflow as tf

# 定义模型参数
input_size = 28
hidden_size = 32
output_size = 10

# 定义模型
def forward(x):
    W = tf.Variable(tf.random.normal([3, 3, 1, hidden_size]))
    b = tf.Variable(tf.zeros([hidden_size]))
    h = tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding='SAME') + b
    h = tf.nn.relu(h)
    W2 = tf.Variable(tf.random.normal([5, 5, hidden_size, output_size]))
    b2 = tf.Variable(tf.zeros([output_size]))
    y = tf.nn.conv2d(h, W2, strides=[1, 1, 1, 1], padding='SAME') + b2
    y = tf.nn.softmax(y)
    return y

# 训练模型
x = tf.random.normal([100, 28, 28, 1])
y = forward(x)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=y))
model = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 训练过程
for i in range(1000):
    with tf.GradientTape() as tape:
        loss_value = loss
    gradients = tape.gradient(loss_value, [W, b, W2, b2])
    model.apply_gradients(zip(gradients, [W, b, W2, b2]))
""",
    "000 §4.3": """\
import tensorflow as tf

# 定义模型参数
input_size = 10
hidden_size = 5
output_size = 1

# 定义模型
def forward(x, states):
    W = tf.Variable(tf.random.normal([input_size, hidden_size]))
    b = tf.Variable(tf.zeros([hidden_size]))
    h = tf.matmul(x, W) + b
    h = tf.nn.relu(h)
    c = tf.Variable(tf.zeros([hidden_size]))
    c = tf.nn.tanh(c)
    c = tf.concat([c, h], axis=1)
    c = tf.nn.tanh(c)
    h, c = tf.chunk(c, [hidden_size, hidden_size], axis=1)
    states = [h, c]
    return h, states

# 初始化隐藏状态
states = [tf.zeros([1, hidden_size]), tf.zeros([1, hidden_size])]

# 训练模型
x = tf.random.normal([100, input_size])
y = forward(x, states)[0]
loss = tf.reduce_mean(tf.square(y - tf.random.normal([100, output_size])))
model = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 训练过程
for i in range(1000):
    with tf.GradientTape() as tape:
        loss_value = loss
    gradients = tape.gradient(loss_value, [W, b, states[0], states[1]])
    model.apply_gradients(zip(gradients, [W, b, states[0], states[1]]))
""",
    "000 §4.4": """\
import tensorflow as tf

# 定义模型参数
vocab_size = 10000
embedding_size = 100
hidden_size = 256
output_size = 1000

# 定义模型
def forward(x, states):
    W = tf.Variable(tf.random.normal([embedding_size, hidden_size]))
    b = tf.Variable(tf.zeros([hidden_size]))
    h = tf.matmul(x, W) + b
    h = tf.nn.relu(h)
    c = tf.Variable(tf.zeros([hidden_size]))
    c = tf.nn.tanh(c)
    c = tf.concat([c, h], axis=1)
    c = tf.nn.tanh(c)
    h, c = tf.chunk(c, [hidden_size, hidden_size], axis=1)
    states = [h, c]
    return h, states

# 初始化隐藏状态
states = [tf.zeros([1, hidden_size]), tf.zeros([1, hidden_size])]

# 训练模型
# 假设已经有了输入数据x和标签y
y = forward(x, states)[0]
loss = tf.reduce_mean(tf.square(y - tf.random.normal([100, output_size])))
model = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 训练过程
for i in range(1000):
    with tf.GradientTape() as tape:
        loss_value = loss
    gradients = tape.gradient(loss_value, [W, b, states[0], states[1]])
    model.apply_gradients(zip(gradients, [W, b, states[0], states[1]]))
""",
    "000 §4.5": """\
import tensorflow as tf

# 定义模型参数
input_size = 224
hidden_size = 512
output_size = 1000

# 定义模型
def forward(x, states):
    W = tf.Variable(tf.random.normal([input_size, hidden_size]))
    b = tf.Variable(tf.zeros([hidden_size]))
    h = tf.matmul(x, W) + b
    h = tf.nn.relu(h)
    c = tf.Variable(tf.zeros([hidden_size]))
    c = tf.nn.tanh(c)
    c = tf.concat([c, h], axis=1)
    c = tf.nn.tanh(c)
    h, c = tf.chunk(c, [hidden_size, hidden_size], axis=1)
    states = [h, c]
    return h, states

# 初始化隐藏状态
states = [tf.zeros([1, hidden_size]), tf.zeros([1, hidden_size])]

# 训练模型
# 假设已经有了输入数据x和标签y
y = forward(x, states)[0]
loss = tf.reduce_mean(tf.square(y - tf.random.normal([100, output_size])))
model = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 训练过程
for i in range(1000):
    with tf.GradientTape() as tape:
        loss_value = loss
    gradients = tape.gradient(loss_value, [W, b, states[0], states[1]])
    model.apply_gradients(zip(gradients, [W, b, states[0], states[1]]))
""",
    "001 §4": """\
import tensorflow as tf

# 定义神经网络模型
model = tf.keras.Sequential([
    tf.keras.layers.Dense(128, activation='relu', input_shape=(input_dim,)),
    tf.keras.layers.Dense(64, activation='relu'),
    tf.keras.layers.Dense(10, activation='softmax')
])

# 编译模型
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

# 训练模型
model.fit(x_train, y_train, epochs=10)

# 评估模型
model.evaluate(x_test, y_test)
""",
    "002-A §4.1": """\
import tensorflow as tf

# 定义一个简单的神经网络
x = tf.placeholder(tf.float32, shape=[None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b

# 定义损失函数
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_true, logits=y))

# 定义优化器
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(loss)

# 初始化变量
init = tf.global_variables_initializer()

# 启动会话并训练模型
with tf.Session() as sess:
    sess.run(init)
    for i in range(1000):
        sess.run(optimizer, feed_dict={x: batch_x, y_true: batch_y})
""",
    "002-A §4.2": """\
from keras.models import Sequential
from keras.layers import Dense, Conv2D, Flatten, Dropout

# 定义一个简单的神经网络
model = Sequential()
model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))

# 定义损失函数和优化器
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])

# 训练模型
model.fit(batch_x, batch_y, epochs=10, batch_size=32)
""",
}
